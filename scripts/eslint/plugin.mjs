// Project lint rules (the TypeScript counterpart of the uasyncio tutorial's check_async_code.py).
import { ESLintUtils } from '@typescript-eslint/utils';

const createRule = ESLintUtils.RuleCreator((name) => `https://example.invalid/xs-async/lint/${name}`);

/** `yield op` where `op` is a scheduler operation: it must be `yield* op`. */
const yieldStarForOps = createRule({
  name: 'yield-star-for-operations',
  meta: {
    type: 'problem',
    docs: { description: 'Scheduler operations in generator tasks must be used with yield*' },
    messages: { useYieldStar: 'This is a scheduler operation: use "yield* {{text}}" (a plain yield suspends nothing and is an error at run time).' },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    return {
      YieldExpression(node) {
        if (node.delegate || !node.argument) return;
        const type = services.getTypeAtLocation(node.argument);
        if (isOpType(checker, type)) context.report({ node, messageId: 'useYieldStar', data: { text: context.sourceCode.getText(node.argument) } });
      },
    };
  },
});

/** True for a scheduler operation's type: thenable and iterable (firmware/sched/op's Op). */
function isOpType(checker, type) {
  return type.getProperty('then') !== undefined && checker.getPropertiesOfType(type).some((p) => p.getName().startsWith('__@iterator'));
}

/**
 * `await x` in an async function of the firmware, where x is neither a scheduler operation nor the
 * promise of a project async function (a helper that follows the same rule): a foreign promise. An
 * async task that awaits one fails at run time (the bridge cannot tell which task resumes); it must be
 * waited for with `external(promise)`, which keeps cancellation and timeouts working.
 */
const awaitOnlyOperations = createRule({
  name: 'await-only-operations',
  meta: {
    type: 'problem',
    docs: { description: 'Async firmware code awaits only scheduler operations; foreign promises go through external()' },
    messages: { useExternal: 'This awaits a promise that is not a scheduler operation: use "await external({{text}})" in a task (a bare foreign await fails the task at run time).' },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    const program = services.program;
    /** the callee of `f(...)` / `o.m(...)` is an async function declared in the project's own sources */
    function projectAsyncCall(node) {
      if (node.type !== 'CallExpression') return false;
      const tsNode = services.esTreeNodeToTSNodeMap.get(node);
      const sig = checker.getResolvedSignature(tsNode);
      const decl = sig?.getDeclaration?.() ?? sig?.declaration;
      if (!decl) return false;
      const file = decl.getSourceFile();
      if (program.isSourceFileFromExternalLibrary(file) || program.isSourceFileDefaultLibrary(file) || file.isDeclarationFile) return false;
      return true;
    }
    return {
      AwaitExpression(node) {
        const arg = node.argument;
        const type = services.getTypeAtLocation(arg);
        if (isOpType(checker, type)) return;
        // await of a plain value (not a thenable) is only a checkpoint-free no-op, and a project
        // async helper's promise is fine: the helper's own awaits are checked where it is written
        if (type.getProperty('then') === undefined && !checker.getPromisedTypeOfPromise(type)) return;
        if (projectAsyncCall(arg)) return;
        context.report({ node, messageId: 'useExternal', data: { text: context.sourceCode.getText(arg) } });
      },
    };
  },
});

export default { rules: { 'yield-star-for-operations': yieldStarForOps, 'await-only-operations': awaitOnlyOperations } };
