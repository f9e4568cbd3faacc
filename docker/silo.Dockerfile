# A standalone silo. Build from the repository root: docker build -f docker/silo.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so that the restore layer outlives source edits.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Grains.Interfaces/Grains.Interfaces.csproj Grains.Interfaces/
COPY Grains/Grains.csproj Grains/
COPY Silo/Silo.csproj Silo/
RUN dotnet restore Silo/Silo.csproj
COPY Grains.Interfaces/ Grains.Interfaces/
COPY Grains/ Grains/
COPY Silo/ Silo/
RUN dotnet publish Silo/Silo.csproj --configuration Release --no-restore --output /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY docker/advertise-container-ip.sh /usr/local/bin/advertise-container-ip
# A data directory the unprivileged user may write (used only with the SQLite store).
RUN mkdir /data && chown app:app /data
ENV Storage__DataDirectory=/data
# Silo-to-silo and client (Orleans gateway) ports.
EXPOSE 11111 30000
USER app
ENTRYPOINT ["/usr/local/bin/advertise-container-ip", "dotnet", "Silo.dll"]
