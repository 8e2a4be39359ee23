import type { I2C, I2CConstructor, I2COptions } from "../../firmware/platform/io";
import type { ManagedResource, ResourceHandle } from "./managed";

/** How an I2C device driver gets its bus: a handle it is given, or a shared resource plus the IO class and pins. */
export type I2CDeviceOptions =
  | { handle: ResourceHandle<I2C> }
  | {
      resource: ManagedResource<unknown>;
      io: I2CConstructor;
      i2c: Omit<I2COptions, "address"> & { address?: number };
      name?: string;
      onAcquire?: (bus: I2C) => void;
      onRelease?: (bus: I2C) => void;
    };

/** What {@link openI2CDevice} gives a driver: its handle, and what it opened itself (to close on close()). */
export interface I2CDevice {
  handle: ResourceHandle<I2C>;
  /** the I2C instance the driver opened, or null when it was given a handle */
  ownedIo: I2C | null;
  ownsHandle: boolean;
}

/**
 * The bus of an I2C device driver (`driver` names it in errors): the given handle, which the driver does not
 * close, or an I2C instance at `i2c.address ?? address` on the shared resource with a handle of its own
 * (named `options.name ?? name`), both closed by the driver. If making the handle fails, the instance is
 * closed again: nothing is left open.
 */
export function openI2CDevice(driver: string, options: I2CDeviceOptions, address: number, name: string): I2CDevice {
  if ("handle" in options) {
    if (options.handle === null || typeof options.handle !== "object") throw new TypeError(`${driver}: handle must be a ResourceHandle`);
    return { handle: options.handle, ownedIo: null, ownsHandle: false };
  }
  const { resource, io, i2c } = options;
  if (resource === null || typeof resource !== "object" || typeof io !== "function" || i2c === null || typeof i2c !== "object") {
    throw new TypeError(`${driver} needs options: { handle } or { resource, io, i2c }`);
  }
  const bus = new io({ ...i2c, address: i2c.address ?? address });
  try {
    const handle = resource.handle({ bus, name: options.name ?? name, onAcquire: options.onAcquire, onRelease: options.onRelease });
    return { handle, ownedIo: bus, ownsHandle: true };
  } catch (e) {
    bus.close();
    throw e;
  }
}
