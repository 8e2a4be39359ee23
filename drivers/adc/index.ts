export { Adc, type AdcOptions } from "./adc";
