export type { CampaignCategory, CampaignLabel, LabelEntity } from './campaigns.js';
export { SCALE_USERS, type Scale } from './company.js';
export type { SimExchange, SimWriter } from './exchange.js';
export { DEFAULT_START, type SimulationLabels, type SimulationOptions, simulate } from './simulate.js';
export { SIM_WRITERS } from './writers/index.js';
export { type CompanySpec, companySpecs } from './specs.js';
