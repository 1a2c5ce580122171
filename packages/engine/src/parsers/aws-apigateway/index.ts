/** The `aws-apigateway` parser. */
export { awsApiGatewayParser } from './aws-apigateway.js';
export type { ApiGatewayVariable, AwsApiGatewayOptions } from './config.js';
