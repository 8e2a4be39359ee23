// The module "xs-async/drivers/adc" in a Moddable build (manifest_include.json): the package entry point, by its
// module name inside the build. Node resolves "xs-async/drivers/adc" through package.json "exports" instead.
export * from "xs-async/drivers/adc/index";
