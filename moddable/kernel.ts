// The module "xs-async/kernel" in a Moddable build (manifest_include.json): the package entry point, by its
// module name inside the build. Node resolves "xs-async/kernel" through package.json "exports" instead.
export * from "xs-async/firmware/sched/kernel";
