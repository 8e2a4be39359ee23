// The module "xs-async/drivers/encoder" in a Moddable build (manifest_include.json): the package entry point, by its
// module name inside the build. Node resolves "xs-async/drivers/encoder" through package.json "exports" instead.
export * from "xs-async/drivers/encoder/index";
