// workerd's own process object (nodejs_compat), for require('node:process'): see workerd-require-resolution.ts.
module.exports = globalThis.process
