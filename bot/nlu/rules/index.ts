export { parseWithRules, RuleParser } from './parse.js'
