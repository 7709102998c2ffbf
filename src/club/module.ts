import { defineModule } from '../graphql/domain-module.js';

export default defineModule({
  name: 'club',
});
