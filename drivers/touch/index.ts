/** A capacitive touch pad with a Pushbutton's gestures (press, release, double, long) and a calibrated threshold. */
export { TouchPad, moddableTouchReader, type TouchPadOptions, type TouchReader, type TouchReaderConstructor, type ModdableTouchPadLike } from "./touch";
