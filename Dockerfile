# The dialer's Node image: one image, two commands (worker, ARI simulator), see docker-compose.yml.
#   docker build -t dialer .
FROM node:20-bookworm-slim

WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Dependencies first, so a source-only change reuses this layer. Only the root package's runtime
# dependencies: with the `workspaces` field removed, npm ci leaves out the apps that are npm
# workspaces of their own (the API, the console) and everything they depend on.
COPY package.json package-lock.json ./
RUN node -e "const fs = require('fs'); const p = JSON.parse(fs.readFileSync('package.json')); delete p.workspaces; fs.writeFileSync('package.json', JSON.stringify(p, null, 2))" \
 && npm ci --omit=dev && npm cache clean --force

COPY . .

# The workflow code is bundled once here: the worker starts without webpack, and every worker
# of this image runs byte-identical workflow code.
RUN npx tsx apps/worker/buildWorkflowBundle.ts dist/workflow-bundle.js
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js

# Run unprivileged (the `node` user comes with the base image).
USER node
CMD ["npx", "tsx", "apps/worker/main.ts"]
