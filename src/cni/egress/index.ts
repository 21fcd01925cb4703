/** Space egress policy, forward admission and the input chain on the host firewall (docs/egress.md, docs/host-isolation.md). */
export * from './egress-errors.js';
export * from './egress-context.js';
export * from './egress-names.js';
export * from './resolve-policy.js';
export {
  renderSpaceChain,
  renderHostChain,
  renderDispatchRule,
  renderCellRules,
  renderForwardChain,
  renderChainReplacement,
  type RuleArgs,
} from './render-egress.js';
export * from './apply-egress.js';
export * from './forward-admission.js';
export * from './input-guard.js';
export * from './egress-orphans.js';
export * from './space-masquerade.js';
