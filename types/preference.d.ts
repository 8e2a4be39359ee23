// Moddable SDK's "preference" module (modules/files/preference), as typed by the SDK 8.2.3 typings:
// declared here so firmware/control/prefs-moddable.ts type-checks on the host. Only the device build has it.
declare module "preference" {
  type PreferenceValue = boolean | number | string | ArrayBuffer;
  class Preference {
    private constructor();
    static get(domain: string, key: string): PreferenceValue | undefined;
    static set(domain: string, key: string, value: PreferenceValue): void;
    static delete(domain: string, key: string): void;
    static keys(domain: string): string[];
  }
  export { Preference as default };
}
