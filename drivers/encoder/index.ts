export { Encoder, type EncoderOptions } from "./encoder";
