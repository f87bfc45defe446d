# Sourced by the consumer checks: writes Consumer.csproj, a net10.0 console project, into the current folder with the
# given reference item (a PackageReference or a ProjectReference to the library).
#
#   write_consumer_project '<ProjectReference Include="…/HorrorAlign.ML.csproj" />'
write_consumer_project() {
  cat > Consumer.csproj <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    $1
  </ItemGroup>
</Project>
XML
}
