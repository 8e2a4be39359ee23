/** A debounced pushbutton: press, release, double click, long press, exclusive click (micropython-async's Pushbutton). */
export { Pushbutton, ButtonEdgeFlag, type PushbuttonOptions, type ButtonEvent } from "./pushbutton";
export type { Action } from "../switch/action";
