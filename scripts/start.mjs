// `npm start`: will run the whole system locally (nats-server, edgegap-local, matchmaker, the
// arena game). Being built — see the open issues.
console.log(
  'playgap: `npm start` will run NATS, edgegap-local, the matchmaker and the arena game here.',
);
