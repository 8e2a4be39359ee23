/** A debounced on/off switch (micropython-async's Switch). */
export { Switch, type SwitchOptions } from "./switch";
export type { Action } from "./action";
