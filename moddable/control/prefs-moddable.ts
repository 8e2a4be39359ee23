// The module "xs-async/control/prefs-moddable" in a Moddable build (manifest_include.json): the package entry point, by its
// module name inside the build. Node resolves "xs-async/control/prefs-moddable" through package.json "exports" instead.
export * from "xs-async/firmware/control/prefs-moddable";
