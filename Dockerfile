# One image for every host of the docker-compose network: CometBFT v0.39.4 (built with go install),
# the Python environment and the generated ABCI stubs, all by the project's own setup script.
FROM golang:1.25-bookworm
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      python3 python3-venv && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/ets
COPY . .
RUN rm -rf .venv bin abci_app/_gen && ETS_SKIP_BROWSER=1 ./scripts/setup.sh
ENV PATH="/opt/ets/.venv/bin:/opt/ets/bin:${PATH}"
