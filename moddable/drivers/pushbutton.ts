// The module "xs-async/drivers/pushbutton" in a Moddable build (manifest_include.json): the package entry point, by its
// module name inside the build. Node resolves "xs-async/drivers/pushbutton" through package.json "exports" instead.
export * from "xs-async/drivers/pushbutton/index";
