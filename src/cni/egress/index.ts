/** Space egress policy and forward admission on the host firewall (spec 02 §3.5, §3.6). */
export * from './egress-errors.js';
export * from './egress-context.js';
export * from './egress-names.js';
export * from './resolve-policy.js';
export {
  renderSpaceChain,
  renderDispatchRule,
  renderForwardChain,
  renderChainReplacement,
  type RuleArgs,
} from './render-egress.js';
export * from './apply-egress.js';
export * from './forward-admission.js';
export * from './egress-orphans.js';
