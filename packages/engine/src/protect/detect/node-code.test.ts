import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectorCases } from './fixtures/detector-cases.js';
import { DETECTORS, detectJsInfiniteLoop, detectNodeCode, detectNodeCodeBroad } from './node-code.js';

const check = detectorCases;

check(
  'node-code',
  detectNodeCode,
  [
    '_$$ND_FUNC$$_function(){}',
    '{"rce":"_$$ND_FUNC$$_function(){require(\'child_process\').exec(\'id\')}()"}',
    '__js_function',
    'new Function ("return 1")',
    'this.constructor.constructor("return process")()',
    'module.exports=',
    'process.env',
    'process["env"]',
    'process[req.query.a]',
    'process.mainModule.require("fs")',
    'require.main.constructor._load("fs")',
    'require[req.query.a]',
    'console.info(1)',
    'console["log"](1)',
    'console.log.call(this,1)',
    '{"get":"$3:constructor:constructor"}',
    '{"0":"$7:Module:prototype"}',
    'globalThis.process',
  ],
  [
    'process.',
    'console.',
    'the process is simple',
    'our processing pipeline',
    'subprocess management',
    'a console table',
    'the constructor of the class',
    'require a login',
    '{"price":"$7:00"}',
    'modules export data',
    'TypeError: x\n    at console.error (https://cdn.example.com/app.js:1:2)',
  ],
);

check(
  'js-infinite-loop',
  detectJsInfiniteLoop,
  [
    'while(true);',
    'while(!false)',
    'while(!0);',
    'while(!-0);',
    'while(!"");',
    'while(Infinity);',
    'while(-1);',
    'while(new Date);',
    'while(this);',
    'while(String);',
    'while(!!{});',
    'while(!![]);',
    'while(!null)',
    'while((true)))',
    'for(;;){}',
  ],
  ['while (foo) is bar.', 'while(!true);', 'while(i < 10) i++', 'while(x)', 'for(let i=0;i<3;i++)', 'for ( the record )'],
);

check(
  'node-code-broad',
  detectNodeCodeBroad,
  ['function() {', 'function(){return 1}', 'eval(x)', 'String.fromCharCode(97)'],
  ['a function (the main one)', 'eval (draft) of the plan', 'evaluate(x)'],
);

describe('node registry', () => {
  it('names every detector', () => {
    assert.deepEqual(Object.keys(DETECTORS).sort(), ['js-infinite-loop', 'node-code', 'node-code-broad']);
  });
});
