/**
 * The simulated board (`xs-async/sim`): a Board built from a board description, with models of the parts
 * (pins with bounce and noise, I2C devices with faults, a scripted AT modem, NEC IR frames) and stimuli. Portable:
 * it runs on Node and on XS (tests). Read docs/app.md and docs/testing.md.
 */
export {
  createSimBoard, addStimulusCommands, stimulusHelp, lineNoise, EdgeClock, BoardHTU21D, DEFAULT_SIM_BOARD, STIMULUS_HELP,
  SIM_PIN, SIM_I2C, SIM_CONSOLE_PORT, SIM_MODEM_PORT, type SimBoard, type SimBoardOptions, type SimModem,
} from "./board";
export { SimPins, SimEdgeCapture, type SimPinsOptions, type PressOptions, type BounceOptions, type NoiseOptions } from "./digital";
export { SimI2CBus, SimI2CModel, type I2CTransaction } from "./i2c";
export { SimHTU21D } from "./htu21d";
export { SimEeprom24C32 } from "./eeprom24c32";
export { SimSerialPort, type SimSerialOptions } from "./serial";
export { SimClock } from "./time";
export { necFrame, necRepeat, NEC_REPEAT_PERIOD_MS } from "./nec";
export { PICO_CPU, type SimCpuOptions } from "./cpu";
