# Rollgate gateway image.
#   docker build -t rollgate .
#   docker run -p 8080:8080 -p 8081:8081 -v rollgate-data:/data -e Rollgate__AdminToken=... rollgate
# Proxy (data path) on 8080, admin API / metrics / health on 8081, file store in /data.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so the package layer is cached across source changes.
COPY Directory.Build.props ./
COPY src/Gateway.Core/Gateway.Core.csproj src/Gateway.Core/
COPY src/Gateway.Admin/Gateway.Admin.csproj src/Gateway.Admin/
COPY src/Gateway/Gateway.csproj src/Gateway/
RUN dotnet restore src/Gateway/Gateway.csproj
COPY src/ src/
RUN dotnet publish src/Gateway/Gateway.csproj -c Release --no-restore -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# The data directory must exist and belong to the non-root user before it is declared a volume.
RUN mkdir -p /data && chown "$APP_UID" /data
ENV Rollgate__ProxyUrl=http://0.0.0.0:8080 \
    Rollgate__AdminUrl=http://0.0.0.0:8081 \
    Rollgate__DataDir=/data \
    ASPNETCORE_HTTP_PORTS=
# APP_UID is the non-root "app" user that the .NET images provide.
USER $APP_UID
VOLUME /data
EXPOSE 8080 8081
ENTRYPOINT ["dotnet", "Gateway.dll"]
