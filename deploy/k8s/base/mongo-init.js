// Run by the velo-mongo-init Job (mongosh --nodb): initiates the replica set rs0 once, then
// creates the services' user `velo` or brings its password and roles up to date.
// The services' databases: each service's own (mongo_database), the shared DIDWW rate budget
// (velo_offers, VELO_DIDWW_BUDGET_DATABASE) and velo-dlq's action log (velo_ops).
const DATABASES = [
  'velo_inventory',
  'velo_ordering',
  'velo_sip_routing',
  'velo_assignment',
  'velo_audit',
  'velo_didww',
  'velo_ops',
];
const MEMBERS = ['velo-mongo-0.velo-mongo:27017', 'velo-mongo-1.velo-mongo:27017', 'velo-mongo-2.velo-mongo:27017'];
const env = process.env;

function signedIn(uri) {
  const admin = new Mongo(uri).getDB('admin');
  admin.auth(env.MONGO_ROOT_USERNAME, env.MONGO_ROOT_PASSWORD);
  return admin;
}

function initiated(admin) {
  try {
    return admin.runCommand({ replSetGetStatus: 1 }).ok === 1;
  } catch (error) {
    if (error.codeName === 'NotYetInitialized') return false;
    throw error;
  }
}

const first = signedIn(`mongodb://${MEMBERS[0]}/?directConnection=true`);
if (!initiated(first)) {
  first.runCommand({
    replSetInitiate: { _id: 'rs0', members: MEMBERS.map((host, i) => ({ _id: i, host })) },
  });
  print('replica set rs0 initiated');
}

// Through the set: the user is written on whichever member is primary (waits for an election).
const admin = signedIn(`mongodb://${MEMBERS.join(',')}/?replicaSet=rs0&serverSelectionTimeoutMS=60000`);
const user = { pwd: env.MONGO_APP_PASSWORD, roles: DATABASES.map((db) => ({ role: 'readWrite', db })) };
if (admin.getUser('velo') === null) {
  admin.createUser({ user: 'velo', ...user });
  print('user velo created');
} else {
  admin.updateUser('velo', user);
  print('user velo updated');
}
