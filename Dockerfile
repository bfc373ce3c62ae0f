# The dialer's Node image: one image, two commands (worker, ARI simulator), see docker-compose.yml.
#   docker build -t dialer .
FROM node:20-bookworm-slim

WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Dependencies first, so a source-only change reuses this layer.
COPY package.json package-lock.json ./
RUN npm ci && npm cache clean --force

COPY . .

# Run unprivileged (the `node` user comes with the base image).
USER node
CMD ["npx", "tsx", "apps/worker/main.ts"]
