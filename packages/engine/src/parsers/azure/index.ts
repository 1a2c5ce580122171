/** The `azure` parser (Front Door, Application Gateway and API Management diagnostic logs). */
export { azureParser } from './azure.js';
