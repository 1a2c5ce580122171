/** The `aws-alb` parser. */
export { awsAlbParser } from './aws-alb.js';
