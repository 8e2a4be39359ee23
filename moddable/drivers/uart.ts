// The module "xs-async/drivers/uart" in a Moddable build (manifest_include.json): the package entry point, by its
// module name inside the build. Node resolves "xs-async/drivers/uart" through package.json "exports" instead.
export * from "xs-async/drivers/uart/index";
