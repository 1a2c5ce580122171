/** The `aws-cloudfront` parser. */
export { awsCloudfrontParser } from './aws-cloudfront.js';
