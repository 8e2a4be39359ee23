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

/** The function node that lexically encloses `node` (or null at module level). */
function enclosingFunction(node) {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') return n;
  }
  return null;
}

/** True if `root` contains a node (not inside a nested function) for which `test` holds. */
function contains(root, test, visitorKeys) {
  let found = false;
  const visit = (n) => {
    if (found || !n || typeof n.type !== 'string') return;
    if (test(n)) {
      found = true;
      return;
    }
    if (n !== root && (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression')) return;
    for (const key of visitorKeys[n.type] ?? []) {
      const child = n[key];
      if (Array.isArray(child)) child.forEach(visit);
      else visit(child);
    }
  };
  visit(root);
  return found;
}

/**
 * A `catch` in a task body (a generator or async function whose `try` block waits: `yield*` or `await`)
 * that neither rethrows nor tests `isCancelled`: it also catches CancelledError, and a task that swallows
 * its cancel is ended at its next operation (docs/scheduler.md). Keeping the error to throw later
 * (`error = e`, `return e`) counts as handling it.
 */
const catchRethrowsCancel = createRule({
  name: 'catch-rethrows-cancel',
  meta: {
    type: 'problem',
    docs: { description: 'A catch around a wait in a task rethrows CancelledError' },
    messages: { rethrow: 'This catch also catches CancelledError: add `if (isCancelled(e)) throw e` (or rethrow), so a cancelled task stops here.' },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const keys = context.sourceCode.visitorKeys;
    return {
      CatchClause(node) {
        const fn = enclosingFunction(node);
        if (!fn || !(fn.generator || fn.async)) return;
        const waits = contains(node.parent.block, (n) => n.type === 'AwaitExpression' || (n.type === 'YieldExpression' && n.delegate), keys);
        if (!waits) return;
        const param = node.param && node.param.type === 'Identifier' ? node.param.name : null;
        const handles = contains(node.body, (n) =>
          n.type === 'ThrowStatement' ||
          (n.type === 'CallExpression' && n.callee.type === 'Identifier' && (n.callee.name === 'isCancelled')) ||
          (param !== null && n.type === 'AssignmentExpression' && n.right.type === 'Identifier' && n.right.name === param) ||
          (param !== null && n.type === 'ReturnStatement' && n.argument && n.argument.type === 'Identifier' && n.argument.name === param),
        keys);
        if (!handles) context.report({ node, messageId: 'rethrow' });
      },
    };
  },
});

/**
 * A test assertion inside a `catch` block: the test passes when nothing throws. Use assert.throws /
 * assert.rejects, or the helpers raised() / rejection(), which fail when the operation completes.
 */
const noAssertInCatch = createRule({
  name: 'no-assert-in-catch',
  meta: {
    type: 'problem',
    docs: { description: 'Assertions in a catch block pass when nothing is thrown' },
    messages: { outside: 'This assertion only runs if something throws: use assert.throws/assert.rejects or raised()/rejection() from host-tests/helpers.' },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    return {
      CallExpression(node) {
        const callee = node.callee;
        const isAssert = (callee.type === 'Identifier' && callee.name === 'assert') ||
          (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && callee.object.name === 'assert');
        if (!isAssert) return;
        for (let n = node.parent; n; n = n.parent) {
          if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') {
            // a callback defined in a catch block runs later, elsewhere: only the nearest function counts
            if (n.parent && n.parent.type !== 'CatchClause') break;
          }
          if (n.type === 'CatchClause') {
            if (!failsWhenNothingThrows(n.parent)) context.report({ node, messageId: 'outside' });
            return;
          }
        }
      },
    };
  },
});

/** A statement that fails the test: `throw`, `assert.fail(...)`, `return assert.fail(...)`. */
function isFailure(st) {
  if (!st) return false;
  if (st.type === 'ThrowStatement') return true;
  const e = st.type === 'ExpressionStatement' ? st.expression : st.type === 'ReturnStatement' ? st.argument : null;
  return !!e && e.type === 'CallExpression' && e.callee.type === 'MemberExpression' &&
    e.callee.object.type === 'Identifier' && e.callee.object.name === 'assert' &&
    e.callee.property.type === 'Identifier' && e.callee.property.name === 'fail';
}

/** The try block ends in a failure, or the statement right after the try statement is one. */
function failsWhenNothingThrows(tryStatement) {
  const body = tryStatement.block.body;
  if (isFailure(body[body.length - 1])) return true;
  const parent = tryStatement.parent;
  if (!parent || !Array.isArray(parent.body)) return false;
  return isFailure(parent.body[parent.body.indexOf(tryStatement) + 1]);
}

/** `assert.ok(x instanceof C)` where `x` was made by `new C(...)`: it cannot fail. */
const noTautologicalInstanceof = createRule({
  name: 'no-tautological-instanceof',
  meta: {
    type: 'problem',
    docs: { description: 'An instanceof assertion on a value the test itself constructed cannot fail' },
    messages: { always: '{{name}} was made by `new {{cls}}(...)`: this assertion cannot fail.' },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    return {
      'CallExpression > BinaryExpression[operator="instanceof"]'(node) {
        const call = node.parent;
        const callee = call.callee;
        const isAssert = (callee.type === 'Identifier' && callee.name === 'assert') ||
          (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && callee.object.name === 'assert');
        if (!isAssert || node.left.type !== 'Identifier' || node.right.type !== 'Identifier') return;
        const scope = context.sourceCode.getScope(node);
        let variable = null;
        for (let s = scope; s && !variable; s = s.upper) variable = s.set.get(node.left.name) ?? null;
        const def = variable?.defs[0];
        if (!def || def.type !== 'Variable' || def.parent.kind !== 'const') return;
        const init = def.node.init;
        if (init && init.type === 'NewExpression' && init.callee.type === 'Identifier' && init.callee.name === node.right.name) {
          context.report({ node, messageId: 'always', data: { name: node.left.name, cls: node.right.name } });
        }
      },
    };
  },
});

export default {
  rules: {
    'yield-star-for-operations': yieldStarForOps,
    'await-only-operations': awaitOnlyOperations,
    'catch-rethrows-cancel': catchRethrowsCancel,
    'no-assert-in-catch': noAssertInCatch,
    'no-tautological-instanceof': noTautologicalInstanceof,
  },
};
