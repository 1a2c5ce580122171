import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findErrorDisclosures, findVersionHeaders } from './error-disclosure.js';

test('stack traces of each platform', () => {
  const cases: Array<[string, string]> = [
    ['java-stack-trace', 'at com.example.orders.OrderService.find(OrderService.java:214)'],
    ['java-stack-trace', 'Exception in thread "main" oops'],
    ['java-exception', '{"message":"org.hibernate.exception.ConstraintViolationException: could not execute"}'],
    ['dotnet-stack-trace', '   at Shop.Api.OrdersController.Get(Int32 id) in C:\\src\\Shop\\OrdersController.cs:line 42'],
    ['dotnet-exception', 'System.InvalidOperationException: Sequence contains no elements'],
    ['python-traceback', 'Traceback (most recent call last):\n  File "/app/api/views.py", line 31, in get'],
    ['python-traceback', '{"detail":"  File \\"/srv/app/models.py\\", line 9, in save"}'],
    ['node-stack-trace', 'TypeError: x is undefined\n    at handler (/app/src/routes/users.js:17:11)'],
    ['node-stack-trace', 'at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'],
    ['php-error', 'PHP Fatal error:  Uncaught Error: Call to undefined function'],
    ['php-error', 'Fatal error: Uncaught TypeError: count() in /var/www/html/api.php on line 12'],
    ['ruby-backtrace', "app/controllers/users_controller.rb:12:in `show'"],
    ['go-panic', 'panic: runtime error: invalid memory address or nil pointer dereference\ngoroutine 1 [running]:'],
    ['go-panic', 'main.handler(...)\n\t/app/main.go:42 +0x1d'],
    ['sql-error', 'SQLSTATE[42S22]: Column not found'],
    ['sql-error', 'ERROR: syntax error at or near "\'"'],
    ['sql-error', 'ORA-00933: SQL command not properly ended'],
    ['sql-error', 'You have an error in your SQL syntax; check the manual'],
    ['sql-error', "Unclosed quotation mark after the character string ''."],
    ['file-path-with-line', 'failed in /opt/service/lib/handlers/export.rb(88)'],
    ['file-path-with-line', 'error at "/usr/src/app/dist/server.js:1:2345"'],
  ];
  for (const [kind, text] of cases)
    assert.ok(findErrorDisclosures(text).includes(kind), `${kind}: ${text} → ${findErrorDisclosures(text)}`);
});

test('ordinary error messages disclose nothing', () => {
  for (const text of [
    'Internal Server Error',
    '{"error":"Bad Request","message":"id must be an integer"}',
    '{"type":"https://example.com/probs/out-of-credit","title":"You do not have enough credit.","instance":"/account/12345/msgs/abc"}',
    '<html><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>',
    'Service unavailable, retry at 12:30',
    'Invalid value at line 3 of the CSV upload',
    'The file report.pdf could not be found',
    'Order failed: look at https://status.example.com/incidents/42',
    'Syntax error in the filter expression',
  ]) {
    assert.deepEqual(findErrorDisclosures(text), [], text);
  }
});

test('hostile error bodies are scanned in bounded time', () => {
  const hostile = [
    `at ${'/a'.repeat(50_000)}`,
    `${'at '.repeat(30_000)}`,
    `${'at x.'.repeat(20_000)}(`,
    `/${'a/'.repeat(50_000)}.js`,
    `File "${'x'.repeat(100_000)}`,
    `Fatal error: ${'x '.repeat(50_000)}`,
  ];
  const started = process.hrtime.bigint();
  for (const text of hostile) findErrorDisclosures(text);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < 1000, `${ms} ms`);
});

test('version-disclosing headers', () => {
  assert.deepEqual(findVersionHeaders({ server: 'nginx/1.25.3', 'x-powered-by': 'PHP/8.2.1', 'x-aspnet-version': '4.0.30319' }), [
    'x-powered-by',
    'x-aspnet-version',
    'server',
  ]);
  assert.deepEqual(findVersionHeaders({ server: 'Apache/2.4.57 (Ubuntu)' }), ['server']);
  assert.deepEqual(findVersionHeaders({ server: 'Microsoft-IIS/10.0' }), ['server']);
  assert.deepEqual(findVersionHeaders({ server: 'nginx', 'x-powered-by': ' ' }), []);
  assert.deepEqual(findVersionHeaders({ server: 'cloudflare' }), []);
});
