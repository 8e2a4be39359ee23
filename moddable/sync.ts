// The module "xs-async/sync" in a Moddable build (manifest_include.json): the package entry point, by its
// module name inside the build. Node resolves "xs-async/sync" through package.json "exports" instead.
export * from "xs-async/firmware/sync/index";
