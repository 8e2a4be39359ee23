// __NAME__'s boards, described (xs-async/board): `sim` is what `npm start`, the tests and the soak simulate;
// `device` is the chip src/main.ts runs on (__BOARD__). Add parts here and the simulated board has them too.
import { defineBoard } from "xs-async/board";

export const device = defineBoard(__DEVICE_BOARD__);

/** The simulated board: the same parts as the device. */
export const sim = defineBoard({ ...device, name: "sim" });

export default sim;
