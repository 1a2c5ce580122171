/** The `cloudflare` parser (Cloudflare Logpush `http_requests`). */
export { cloudflareParser } from './cloudflare.js';
