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
        const isOp = type.getProperty('then') !== undefined && checker.getPropertiesOfType(type).some((p) => p.getName().startsWith('__@iterator'));
        if (isOp) context.report({ node, messageId: 'useYieldStar', data: { text: context.sourceCode.getText(node.argument) } });
      },
    };
  },
});

export default { rules: { 'yield-star-for-operations': yieldStarForOps } };
