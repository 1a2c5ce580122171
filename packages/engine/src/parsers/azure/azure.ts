import { isSkip, type ParsedEvent, type ParseOutcome, type ParseReject, type ParseSkip, type Parser, reject, skip } from '@palisade/core';
import { shareOfJson } from '../internal/detect.js';
import { isObject, parseJsonObject } from '../internal/fields.js';
import { parseApiManagementRecord } from './api-management.js';
import { parseAppGatewayRecord } from './app-gateway.js';
import { parseFrontDoorRecord } from './front-door.js';
import { type Fields, readProperties, readRecordTime } from './internal-azure.js';

/** Access-log categories, lower-cased (classic Front Door writes `FrontdoorAccessLog`). */
const FRONT_DOOR = 'frontdooraccesslog';
const APP_GATEWAY = 'applicationgatewayaccesslog';
const API_MANAGEMENT = 'gatewaylogs';

/** Categories of the same three resources that carry no transaction; they count for detection only. */
const RELATED_CATEGORIES = new Set([
  'frontdoorwebapplicationfirewalllog',
  'frontdoorhealthprobelog',
  'applicationgatewayfirewalllog',
  'applicationgatewayperformancelog',
  'websocketconnectionlogs',
  'gatewayllmlogs',
]);

/**
 * Azure diagnostic (resource) logs of the HTTP front ends: Front Door `FrontDoorAccessLog`, Application
 * Gateway `ApplicationGatewayAccessLog` and API Management `GatewayLogs`, dispatched on each record's
 * `category`, so one stream may mix them.
 *
 * Contract: a line is one record (storage-account JSON Lines) or a `{"records":[…]}` document (Event
 * Hubs), which gives one outcome per access record. Records of other categories (WAF, health probe,
 * performance, other resources sharing the Event Hub) are skipped; a record with no `category` is
 * rejected as `unsupported_record`.
 */
export const azureParser: Parser = {
  format: 'azure',
  aliases: ['azure-diagnostics', 'azure-frontdoor', 'azure-appgw', 'azure-apim'],
  description: 'Azure diagnostic logs: Front Door, Application Gateway and API Management access logs',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOfJson(lines, (o) => {
      const records = o.records;
      const record = Array.isArray(records) ? records[0] : o;
      return isObject(record) && isAzureFrontEndRecord(record);
    });
  },
  open() {
    return { parse: parseAzure };
  },
};

/** A diagnostic record of Front Door, Application Gateway or API Management (access log or not). */
function isAzureFrontEndRecord(record: Fields): boolean {
  if (typeof record.category !== 'string' || !('properties' in record)) return false;
  const category = record.category.toLowerCase();
  return category === FRONT_DOOR || category === APP_GATEWAY || category === API_MANAGEMENT || RELATED_CATEGORIES.has(category);
}

function parseAzure(line: string): ParseOutcome {
  const document = parseJsonObject(line);
  if (document === undefined) return reject('malformed_json');
  const records = document.records;
  if (!Array.isArray(records)) return parseRecord(document);
  const outcomes: (ParsedEvent | ParseReject)[] = [];
  for (const record of records) {
    const outcome = isObject(record) ? parseRecord(record) : reject('unsupported_record', 'record is not an object');
    if (!isSkip(outcome)) outcomes.push(outcome);
  }
  return outcomes.length === 0 ? skip('no access-log records') : outcomes;
}

/** One record: an event, a rejection, or a skip for categories that are not access logs. */
function parseRecord(record: Fields): ParsedEvent | ParseReject | ParseSkip {
  if (typeof record.category !== 'string') return reject('unsupported_record', 'no category');
  const category = record.category.toLowerCase();
  if (category !== FRONT_DOOR && category !== APP_GATEWAY && category !== API_MANAGEMENT) {
    return skip('not an access-log category');
  }
  const time = readRecordTime(record);
  if (typeof time !== 'number') return time;
  const properties = readProperties(record);
  if (properties === undefined) return reject('missing_field', 'properties');
  if (category === FRONT_DOOR) return parseFrontDoorRecord(time, properties);
  if (category === APP_GATEWAY) return parseAppGatewayRecord(time, record, properties);
  return parseApiManagementRecord(time, record, properties);
}
