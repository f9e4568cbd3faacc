# The Xbox Live collections simulator. Build from the repository root: docker build -f docker/xbox-simulator.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY XboxLiveSimulator/XboxLiveSimulator.csproj XboxLiveSimulator/
RUN dotnet restore XboxLiveSimulator/XboxLiveSimulator.csproj
COPY XboxLiveSimulator/ XboxLiveSimulator/
RUN dotnet publish XboxLiveSimulator/XboxLiveSimulator.csproj --configuration Release --no-restore --output /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The development key pair it creates on first start; the gateway reads the public half.
RUN mkdir -p /data/keys && chown -R app:app /data
ENV ASPNETCORE_URLS=http://+:5090 \
    Simulator__KeysDirectory=/data/keys
VOLUME /data/keys
EXPOSE 5090
USER app
ENTRYPOINT ["dotnet", "XboxLiveSimulator.dll"]
