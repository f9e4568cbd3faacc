# The HTTP gateway. Build from the repository root: docker build -f docker/gateway.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so that the restore layer outlives source edits.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Grains.Interfaces/Grains.Interfaces.csproj Grains.Interfaces/
COPY Grains/Grains.csproj Grains/
COPY Gateway/Gateway.csproj Gateway/
RUN dotnet restore Gateway/Gateway.csproj
COPY Grains.Interfaces/ Grains.Interfaces/
COPY Grains/ Grains/
COPY Gateway/ Gateway/
RUN dotnet publish Gateway/Gateway.csproj --configuration Release --no-restore --output /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The data directory (the development issuer's signing key) belongs to the unprivileged user.
RUN mkdir /data && chown app:app /data
ENV ASPNETCORE_URLS=http://+:5080 \
    Storage__DataDirectory=/data
VOLUME /data
EXPOSE 5080
USER app
ENTRYPOINT ["dotnet", "Gateway.dll"]
