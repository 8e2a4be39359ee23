// fast-check for tests that also run on XS: the timer stubs load first (see ./timer-stubs).
import "./timer-stubs";
import fc from "fast-check";
export default fc;
export type * from "fast-check";
