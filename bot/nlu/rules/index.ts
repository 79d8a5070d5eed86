export { negatedDecision, parseWithRules, RuleParser } from './parse.js'
