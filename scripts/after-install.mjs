#!/usr/bin/env node
// After `npm install`: npm itself may run on an older Node than some packages ask for (EBADENGINE warnings); every
// npm script here runs on the Node the `node` devDependency installs, so say so in one line.
const npmNode = /node\/v(\d+)/.exec(process.env.npm_config_user_agent ?? "")?.[1];
if (npmNode && Number(npmNode) < 22) {
  console.log(`Tillsafe: the EBADENGINE warnings above are harmless — npm ran on Node ${npmNode}, but npm start, npm test and every other script run on Node ${process.versions.node.split(".")[0]} from node_modules (the "node" devDependency).`);
}
