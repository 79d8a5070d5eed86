export { asksAboutDecision, negatedDecision, parseAnswerTo, parseWithRules, RuleParser, unexplainedParts } from './parse.js'
