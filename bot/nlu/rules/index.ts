export { negatedDecision, parseWithRules, RuleParser, unexplainedParts } from './parse.js'
