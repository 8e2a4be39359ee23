// The module "xs-async/platform/moddable" in a Moddable build (manifest_include.json): the package entry point, by its
// module name inside the build. Node resolves "xs-async/platform/moddable" through package.json "exports" instead.
export * from "xs-async/firmware/platform/moddable";
