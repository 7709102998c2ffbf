// The repository list lives in the composition root, which jobs share with the API; this
// name stays for the GraphQL layer's type imports and the test support.
export { createRepositories, type Repositories } from '../composition.js';
