// The module "xs-async/control" in a Moddable build (manifest_include.json): the package entry point, by its
// module name inside the build. Node resolves "xs-async/control" through package.json "exports" instead.
export * from "xs-async/firmware/control/index";
