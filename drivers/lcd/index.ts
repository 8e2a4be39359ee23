export { HD44780, LCD_ADDRESS, LCD_WAIT_MS, Lcd, PCF8574_BIT, lcdCode, type LcdOptions, type LcdStats } from "./hd44780";
