/** Sharing a bus between devices: exclusive, FIFO-fair, cancel-safe use through per-device handles. */
export { ManagedResource, ResourceHandle, type HandleOptions, type UseOptions, type UsageStats, type ResourceStats } from "./managed";
