/** Apply diffs as data. Merge space defaults into a desired cell first. */
export * from './change.js';
export { diffCell } from './cell-diff.js';
export { diffContainer } from './container-diff.js';
export { diffRealm, diffSpace, diffStack } from './scope-diff.js';
export { diffStandaloneContainer } from './standalone-container-diff.js';
export { semanticEqual } from './equal.js';
export { applySpaceDefaults, mergeContainerDefaults } from '../space-defaults.js';
export { mergeLabels, userLabels } from '../label-merge.js';
